; expect: ok
org $008000
padword $ABCD
	pad $008005
padlong $010203
	pad $00800C
