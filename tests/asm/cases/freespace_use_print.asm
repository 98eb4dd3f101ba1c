; expect: ok
; rom: lorom-1m
org $008000
	autoclean jsl Code
freecode
Code:
	nop #5
	rtl
print "used: ", freespaceuse
print "pc: ", pc
