; expect: error Efile_offset_out_of_bounds
org $008000
	db readfile1("error_readfile_out_of_bounds/tiny.bin", 10)
