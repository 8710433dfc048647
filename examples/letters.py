"""Texts of the sample letters: what a commune's mail room receives on an ordinary morning."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Letter:
    name: str
    sender: tuple[str, ...]
    date: str
    subject: str
    body: tuple[str, ...]
    signature: str


MAIRIE = ("Mairie de Saint-Herblain", "Service courrier", "2 rue de l'Hôtel de Ville", "44800 Saint-Herblain")

LETTERS: tuple[Letter, ...] = (
    Letter(
        "signalement_eclairage",
        ("Mme Françoise Lemaire", "14 rue des Lilas", "44800 Saint-Herblain", "Tél. 06 12 34 56 78"),
        "Saint-Herblain, le 3 mars 2025",
        "Objet : signalement d'une panne d'éclairage public rue des Lilas",
        ("Madame, Monsieur,",
         "Je souhaite vous signaler que l'éclairage public de la rue des Lilas ne fonctionne plus depuis "
         "le 28 février 2025. Les trois lampadaires situés entre le numéro 10 et le numéro 18 restent "
         "éteints toute la nuit, ce qui rend la circulation des piétons dangereuse, en particulier pour "
         "les enfants qui rentrent de l'école en fin de journée.",
         "Je vous remercie de bien vouloir faire intervenir les services techniques dans les meilleurs "
         "délais. Je reste à votre disposition pour tout renseignement complémentaire.",
         "Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées."),
        "Françoise Lemaire",
    ),
    Letter(
        "demande_acte_naissance",
        ("M. Jean-Pierre Martin", "7 avenue de la République", "69003 Lyon", "jp.martin@exemple.fr"),
        "Lyon, le 12 janvier 2026",
        "Objet : demande de copie intégrale d'acte de naissance",
        ("Madame l'Officier de l'état civil,",
         "Je vous serais reconnaissant de bien vouloir m'adresser deux exemplaires de la copie intégrale "
         "de mon acte de naissance. Je suis né le 14 juillet 1978 à Saint-Herblain, de Paul Martin et "
         "de Monique Durand.",
         "Cet acte m'est nécessaire pour constituer un dossier de demande de passeport. Vous trouverez "
         "ci-joint une enveloppe timbrée à mon adresse pour la réponse.",
         "Veuillez agréer, Madame, l'expression de ma considération distinguée."),
        "Jean-Pierre Martin",
    ),
    Letter(
        "facture_fournisseur",
        ("Électricité Générale de l'Ouest SARL", "ZA des Landes, 3 allée des Artisans", "44300 Nantes",
         "SIRET 732 829 320 00074"),
        "Nantes, le 15 octobre 2025",
        "Facture n° FA-2025-10482 — Remplacement de lanternes d'éclairage public",
        ("Désignation : fourniture et pose de 12 lanternes LED, rue des Lilas et allée des Tilleuls.",
         "Montant hors taxes : 8 450,00 €. TVA 20 % : 1 690,00 €. Montant TTC : 10 140,00 €.",
         "Date d'échéance : 14 novembre 2025. Paiement par virement sur le compte "
         "IBAN FR76 3000 6000 0112 3456 7890 189, BIC AGRIFRPP.",
         "Conditions : paiement à 30 jours, pénalités de retard au taux légal, indemnité forfaitaire "
         "pour frais de recouvrement de 40 euros."),
        "Le service comptabilité",
    ),
    Letter(
        "inscription_scolaire",
        ("Mme Aïcha Benali", "3 impasse des Mésanges", "44800 Saint-Herblain", "aicha.benali@exemple.fr"),
        "Saint-Herblain, le 2 juin 2025",
        "Objet : inscription scolaire et périscolaire de ma fille Lina",
        ("Madame, Monsieur,",
         "Je souhaite inscrire ma fille Lina Benali, née le 5 septembre 2020, en moyenne section à "
         "l'école maternelle Jules Verne pour la rentrée de septembre 2025.",
         "Je souhaite également l'inscrire à la cantine scolaire et à la garderie du matin. Vous "
         "trouverez ci-joint un justificatif de domicile et la copie du livret de famille.",
         "Je vous prie de croire, Madame, Monsieur, à l'assurance de mes sentiments respectueux."),
        "Aïcha Benali",
    ),
    Letter(
        "declaration_prealable",
        ("M. et Mme Rousseau", "22 chemin du Moulin", "44800 Saint-Herblain", "Tél. 02 40 11 22 33"),
        "Saint-Herblain, le 20 avril 2025",
        "Objet : dépôt d'une déclaration préalable de travaux DP 044 162 25 00031",
        ("Monsieur le Maire,",
         "Nous avons l'honneur de déposer une déclaration préalable pour la construction d'un abri de "
         "jardin de 18 m² de surface de plancher sur notre terrain situé 22 chemin du Moulin, parcelle "
         "cadastrée section AB numéro 0123.",
         "Le dossier comprend le formulaire Cerfa, le plan de situation, le plan de masse et les "
         "photographies de l'environnement proche.",
         "Nous vous prions d'agréer, Monsieur le Maire, l'expression de notre haute considération."),
        "Claire et Antoine Rousseau",
    ),
    Letter(
        "demande_subvention",
        ("Association Les Amis du Jardin Partagé", "Maison des associations", "44800 Saint-Herblain",
         "RNA W442001234 — SIRET 812 345 676 00017"),
        "Saint-Herblain, le 10 février 2026",
        "Objet : demande de subvention de fonctionnement pour l'exercice 2026",
        ("Madame la Maire adjointe,",
         "Notre association sollicite une subvention de fonctionnement de 2 500,00 € pour l'exercice "
         "2026 afin d'organiser des ateliers de jardinage ouverts aux habitants du quartier.",
         "Vous trouverez joints le budget prévisionnel, le compte rendu de la dernière assemblée "
         "générale et le relevé d'identité bancaire de l'association.",
         "Nous vous prions d'agréer, Madame, nos salutations distinguées."),
        "La présidente, Sophie Garnier",
    ),
    Letter(
        "reclamation_dechets",
        ("M. Karim Haddad", "5 place du Marché", "44800 Saint-Herblain", "Tél. 07 98 76 54 32"),
        "Saint-Herblain, le 8 septembre 2025",
        "Objet : réclamation concernant la collecte des déchets — dossier 2025-REC-000117",
        ("Madame, Monsieur,",
         "Malgré mon précédent courrier enregistré sous la référence 2025-REC-000117, les bacs de tri "
         "de la place du Marché ne sont toujours pas collectés le mardi comme prévu.",
         "Un dépôt sauvage s'est formé au pied des conteneurs et attire les nuisibles. Je vous demande "
         "d'intervenir rapidement et de m'indiquer les mesures prises.",
         "Recevez, Madame, Monsieur, mes salutations."),
        "Karim Haddad",
    ),
    Letter(
        "courrier_divers",
        ("Office de tourisme de l'Estuaire", "1 quai de la Loire", "44000 Nantes", "contact@tourisme-estuaire.fr"),
        "Nantes, le 5 mai 2025",
        "Objet : programme des manifestations estivales",
        ("Madame, Monsieur,",
         "Nous avons le plaisir de vous adresser le programme des manifestations estivales organisées "
         "dans les communes de l'estuaire. Nous vous remercions de bien vouloir le diffuser auprès "
         "de vos administrés, notamment par voie d'affichage en mairie.",
         "Restant à votre disposition, nous vous prions de recevoir nos cordiales salutations."),
        "L'équipe de l'office de tourisme",
    ),
)


def by_name(name: str) -> Letter:
    return next(letter for letter in LETTERS if letter.name == name)
