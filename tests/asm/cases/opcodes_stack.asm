; expect: ok
; Stack pushes and pulls, PEA, PEI, PER.
org $008000
Target:
	pha                 ; implied
	phb                 ; implied
	phd                 ; implied
	phk                 ; implied
	php                 ; implied
	phx                 ; implied
	phy                 ; implied
	pla                 ; implied
	plb                 ; implied
	pld                 ; implied
	plp                 ; implied
	plx                 ; implied
	ply                 ; implied
	pea $1234           ; absolute
	pei ($12)           ; (direct)
	per Target          ; relative long
