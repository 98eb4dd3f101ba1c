; expect: ok
org $008000
	db readfile1("functions_file/data.bin", 0)
	dw readfile2("functions_file/data.bin", 1)
	dl readfile3("functions_file/data.bin", 2)
	dd readfile4("functions_file/data.bin", 1)
	db filesize("functions_file/data.bin")
	db canreadfile1("functions_file/data.bin", 4), canreadfile2("functions_file/data.bin", 4)
	db getfilestatus("functions_file/data.bin"), getfilestatus("functions_file/none.bin")
	db readfile1("functions_file/data.bin", 99, $EE)
