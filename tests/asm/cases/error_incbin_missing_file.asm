; expect: error Efile_not_found
org $008000
	incbin "no_such_file.bin"
