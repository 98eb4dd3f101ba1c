; expect: ok
!feature = 1
org $008000
if defined("feature")
	db $01
endif
undef "feature"
if defined("feature")
	db $02
else
	db $03
endif
if not(defined("never"))
	db $04
endif
