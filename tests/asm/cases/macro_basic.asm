; expect: ok
macro clear_ram()
	stz $00
	stz $01
endmacro
org $008000
	%clear_ram()
	%clear_ram()
