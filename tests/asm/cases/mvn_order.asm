; expect: ok
; asar writes the two bank operands in the order written (mvn $7E,$7F -> 54 7E 7F);
; the single 16-bit form is a little-endian word.
org $008000
	mvn $7E,$7F
	mvp $01,$02
	mvn $7E7F
	mvp $0102
Src = $128000
Dst = $7E2000
	mvn Dst>>16,Src>>16
	mvn bank(Dst),bank(Src)
