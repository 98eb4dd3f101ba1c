; expect: ok
!enabled = 1
org $008000
if !enabled
	db $01
endif
if !enabled == 0
	db $02
endif
if 5 > 3
	db $03
endif
