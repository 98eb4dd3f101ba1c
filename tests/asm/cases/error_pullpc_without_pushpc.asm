; expect: error Epullpc_without_pushpc
org $008000
	nop
pullpc
