; expect: error Elabel_not_found
org $008000
Main:
	bra .Missing
Other:
.Missing:
	nop
