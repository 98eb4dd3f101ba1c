!from_b = $B0
	db $0B
