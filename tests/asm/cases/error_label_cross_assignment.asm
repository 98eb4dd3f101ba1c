; expect: error Elabel_cross_assignment Elabel_not_found
; A label may only be assigned from static values, not from a label that can move.
org $008000
Main:
	nop
Alias = Main+$10
	dl Alias
