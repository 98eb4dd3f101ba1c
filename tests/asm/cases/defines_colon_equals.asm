; expect: ok
; := resolves defines in the value first, so a define can refer to its old self.
!x = 2
!x := !x+3
!y = !x
!x = 10
org $008000
	db !y
	db !x
