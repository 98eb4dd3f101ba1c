; expect: error Emacro_label_outside_of_macro
org $008000
?Local:
	nop
