includefrom include_only.asm
	db $77
