; expect: ok
!a = 1
!b = 0
org $008000
if !a
	if !b
		db $11
	else
		db $10
	endif
else
	db $00
endif
