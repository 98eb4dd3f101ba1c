; expect: ok
; warnings: Wfeature_deprecated
; print joins strings and print functions; hex is upper case without $.
org $008000
	nop #3
print "plain text"
print "hex: ", hex($BEEF), " dec: ", dec(1234), " bin: ", bin(5)
print "padded: ", hex($1F, 4), " ", dec(7, 3), " ", bin(1, 8)
print "double: ", double(3.25), " ", double(1.5, 2)
print "pc: ", pc
print "bytes: ", bytes
print "negative: ", dec(-5), " ", hex(-1)
math round off
print "double, round off: ", double(3.25), " ", double(2/3, 3)
