; expect: ok
; #= evaluates the math immediately and stores the number.
!count = 3
!double #= !count*2
!big #= $100+!count
org $008000
	db !double
	dw !big
