; expect: error Einvalid_hex_value
org $008000
	db $
