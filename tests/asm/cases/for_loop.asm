; expect: ok
; for i = a..b runs from a to b-1 with !i as the counter.
org $008000
for i = 1..5
	db !i
	db 2*!i
endfor
for j = 0..0
	db $FF
endfor
