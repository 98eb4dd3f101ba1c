; included paths are relative to the including file
incsrc "b.asm"
	db !from_b
