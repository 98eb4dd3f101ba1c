; expect: error Esnes_address_out_of_bounds
; Reading outside the ROM without a default is an error.
org $008000
	db read1($208000)
