; expect: ok
; \! keeps a literal ! in a string; "" is a literal quote.
!define = "text"
org $008000
	db "!define"
	db "\!define"
	db "say ""hi"""
