; expect: ok
; defines: level=3 name=Link debug
; Command-line defines (-Dlevel=3 -Dname=Link -Ddebug) behave like !defines.
org $008000
	db !level
	db "!name"
if defined("debug")
	db $DE
endif
!level ?= 7
	db !level
