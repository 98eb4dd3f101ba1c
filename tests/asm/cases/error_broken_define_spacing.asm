; expect: error Edefine_not_found
; The spaces around = are required; "!a=1" is not a define: asar tries to expand !a.
!a=1
