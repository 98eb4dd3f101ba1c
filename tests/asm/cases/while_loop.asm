; expect: ok
!i = 0
org $008000
while !i < 8
	db !i*2
	!i #= !i+1
endwhile
