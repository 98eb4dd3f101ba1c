; expect: ok
; Gotcha: a branch to a plain number is NOT a target address. asar writes the number
; itself as the offset byte (bra $008010 -> 80 10), only labels are made relative.
org $008000
	bra $008010
	beq $8000
	bcc $008002
	bra $05
