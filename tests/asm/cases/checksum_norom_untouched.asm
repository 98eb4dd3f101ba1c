; expect: ok
; rom: lorom-1m
; With norom asar does not know where the header is and leaves the checksum alone.
norom
org $000000
	db $FF, $FF, $FF, $FF
