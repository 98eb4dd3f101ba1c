; expect: ok
!mode = 2
org $008000
if !mode == 0
	db $00
elseif !mode == 1
	db $01
elseif !mode == 2
	db $02
else
	db $FF
endif
if !mode == 7
	db $07
else
	db $08
endif
