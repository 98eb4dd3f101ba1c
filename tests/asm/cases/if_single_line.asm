; expect: ok
!fast = 1
org $008000
	if !fast : db $01 : db $02 : endif
	if !fast == 0 : db $03 : endif
	db $04
