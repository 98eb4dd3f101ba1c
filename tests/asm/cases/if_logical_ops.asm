; expect: ok
!x = 3
org $008000
if !x > 1 && !x < 5
	db $01
endif
if !x == 0 || !x == 3
	db $02
endif
if !x != 3 || 0
	db $03
endif
if !x >= 3 && !x <= 3
	db $04
endif
