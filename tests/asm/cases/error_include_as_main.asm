; expect: error Ecant_be_main_file
include
org $008000
	db 1
