; expect: ok
; warnings: Wfeature_deprecated
; math round on (default) truncates every number at once; off keeps fractions until the end.
org $008000
	db (3/4)+1.75
	db 7/2*2
math round off
	db (3/4)+1.75
	db 7/2*2
	db 0.5*8
