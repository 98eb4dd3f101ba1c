; expect: ok
; ?= only sets a define that does not exist yet.
!speed ?= 4
!speed ?= 9
!other = 1
!other ?= 2
org $008000
	db !speed, !other
