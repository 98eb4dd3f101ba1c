; expect: ok
; fillword/filllong/filldword set multi-byte patterns; fill still counts bytes.
org $008000
fillword $1122
	fill 5
filllong $334455
	fill 7
filldword $66778899
	fill 6
