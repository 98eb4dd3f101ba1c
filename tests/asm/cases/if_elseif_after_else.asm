; expect: ok
; asar 1.91 accepts an elseif after else without complaint (the else branch ran).
org $008000
if 0
	db 1
else
	db 2
elseif 1
	db 3
endif
