; expect: ok
; rom: lorom-1m
org $008100
	autoclean jml Target
freecode
Target:
	stz $00
	jml $008104
