; expect: ok
org $008000
if stringsequal("!assembler", "asar")
	db $01
endif
if !assembler_ver >= 10900
	dw !assembler_ver
endif
