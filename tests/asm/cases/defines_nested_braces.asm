; expect: ok
; !{name} ends a define name early and can build names dynamically.
!hex = $
!mode = 1
!name0 = $10
!name1 = $20
!pick = !{name!{mode}}
org $008000
	db !{hex}FF
	db !pick
