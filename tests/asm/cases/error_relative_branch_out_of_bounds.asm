; expect: error Erelative_branch_out_of_bounds
org $008000
	bra Far
	fill 200
Far:
	rts
