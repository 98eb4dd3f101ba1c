; expect: ok
; rom: lorom-1m
; "cleaned" silences the leak warning.
org $008000
	jsl Leaky
freecode cleaned
Leaky:
	rtl
