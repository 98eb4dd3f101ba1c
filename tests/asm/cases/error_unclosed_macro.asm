; expect: error Eunclosed_macro
macro forever()
	nop
