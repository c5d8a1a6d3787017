"""Articles written for the stories tests: one event told by four outlets in three languages."""

CAFTAN = [  # one event, four outlets, three languages (written for this test)
    ("le-matin-test", "fr", 0, "UNESCO : le caftan marocain inscrit au patrimoine immatériel à New Delhi",
     "Le comité de l'UNESCO réuni à New Delhi a inscrit mercredi le caftan marocain sur la liste du patrimoine "
     "culturel immatériel, a annoncé Samira Bennani, ambassadrice du Maroc auprès de l'UNESCO. Le dossier, "
     "préparé pendant 18 mois, réunit 2 400 pages de documents et 312 témoignages d'artisans de Fès et de Rabat."),
    ("hebdo-test", "fr", 50, "Le caftan marocain entre au patrimoine de l'UNESCO",
     "Réuni à New Delhi, le comité intergouvernemental de l'UNESCO a inscrit le caftan marocain au patrimoine "
     "immatériel. Samira Bennani a salué « une reconnaissance du savoir-faire des artisans », dont 312 ont "
     "témoigné dans un dossier de 2 400 pages."),
    ("diario-test", "es", 90, "La UNESCO inscribe el caftán marroquí en el patrimonio inmaterial en Nueva Delhi",
     "El comité de la UNESCO reunido en Nueva Delhi inscribió el miércoles el caftán marroquí en la lista del "
     "patrimonio cultural inmaterial, anunció Samira Bennani, embajadora de Marruecos ante la UNESCO. El "
     "expediente reúne 2.400 páginas y 312 testimonios de artesanos de Fez y Rabat."),
    ("akhbar-test", "ar", 120, "اليونسكو تدرج القفطان المغربي في قائمة التراث غير المادي",
     "أدرجت لجنة اليونسكو المجتمعة في نيودلهي، يوم الأربعاء، القفطان المغربي في قائمة التراث الثقافي غير المادي، "
     "حسب ما أعلنته سميرة بناني، سفيرة المغرب لدى اليونسكو. ويضم الملف 2.400 صفحة و312 شهادة لحرفيين من فاس والرباط."),
]
