; expect: ok
org $008000
for y = 0..3
	for x = 0..2
		db (!y<<4)|!x
	endfor
endfor
