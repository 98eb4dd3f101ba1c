; expect: ok
; rom: lorom-1m
; Patching a ROM updates its checksum.
org $008000
	db $00, $01, $02, $03
