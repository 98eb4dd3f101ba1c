; expect: ok
; rom: lorom-1m
; freespacebyte $FF makes asar look for runs of $FF instead of $00.
freespacebyte $FF
org $008000
	autoclean dl Data
freedata
Data:
	db $01,$02,$03,$04
