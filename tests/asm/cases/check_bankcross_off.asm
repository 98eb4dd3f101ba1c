; expect: ok
check bankcross off
org $80FFFF
	db $00,$00
check bankcross full
print pc
	db $01
