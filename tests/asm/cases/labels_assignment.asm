; expect: ok
; warnings: Woptimization_settings
; Label = value defines a label without starting a sublabel group.
Vanilla_Routine = $0DA000
RAM_Link_X = $7E0022
Offset = Vanilla_Routine+$10
org $008000
Main:
	jsl Vanilla_Routine
	lda RAM_Link_X
	jsl Offset
.Sub:
	dl Offset, Main_Sub
