; expect: error Einvalid_opcode_length
org $008000
	lda.q #$12
