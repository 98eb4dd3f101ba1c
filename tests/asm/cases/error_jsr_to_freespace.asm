; expect: error Eunknown_command
; warnings: Wfreespace_leaked
; jsr to a label in freespace is a 24-bit reference (freespace may land in any bank).
; rom: lorom-1m
org $008000
	jsr InFreespace
freecode
InFreespace:
	rts
