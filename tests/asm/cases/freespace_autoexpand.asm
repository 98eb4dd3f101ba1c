; expect: ok
; rom: lorom-1m
; More than the free bank holds: asar expands the 1 MiB ROM to 2 MiB and sets $00:FFD7.
org $008000
	autoclean dl Big1
	autoclean dl Big2
freedata
Big1:
	fill $7000
freedata
Big2:
	fill $7000
