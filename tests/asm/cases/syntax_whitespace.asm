; expect: ok
; Leading/trailing whitespace and spaces after commas are ignored.
   org $008000
		db $01,   $02,$03
	dw $1234,	$5678
	  lda   $12
